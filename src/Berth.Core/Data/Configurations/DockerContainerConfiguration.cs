using Berth.Core.Monitoring;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Berth.Core.Data.Configurations;

internal sealed class DockerContainerConfiguration : IEntityTypeConfiguration<DockerContainer>
{
    public void Configure(EntityTypeBuilder<DockerContainer> builder)
    {
        builder.ToTable("Hosting_DockerContainers");
        // The seed table has no primary key, only UNIQUE(DockerID, ParentServerID); EF needs a key in the model.
        builder.HasKey(c => new { c.DockerId, c.ParentServerId });
        builder.Property(c => c.DockerId).HasColumnName("DockerID").IsRequired();
        builder.Property(c => c.ParentServerId).HasColumnName("ParentServerID").IsRequired();
        builder.Property(c => c.Command).HasColumnName("Command").IsRequired();
        builder.Property(c => c.CreatedAt).HasColumnName("CreatedAt").IsRequired();
        builder.Property(c => c.Image).HasColumnName("Image").IsRequired();
        builder.Property(c => c.Labels).HasColumnName("Labels").IsRequired();
        builder.Property(c => c.Mounts).HasColumnName("Mounts").IsRequired();
        builder.Property(c => c.Names).HasColumnName("Names").IsRequired();
        builder.Property(c => c.Networks).HasColumnName("Networks").IsRequired();
        builder.Property(c => c.Ports).HasColumnName("Ports").IsRequired();
        builder.Property(c => c.RunningFor).HasColumnName("RunningFor").IsRequired();
        builder.Property(c => c.Size).HasColumnName("Size").IsRequired();
        builder.Property(c => c.State).HasColumnName("State").IsRequired();
        builder.Property(c => c.Status).HasColumnName("Status").IsRequired();
        builder.Property(c => c.UpdatedAt).HasColumnName("UpdatedAt").IsRequired();
        builder.HasIndex(c => c.ParentServerId).HasDatabaseName("idx_dc_parent");
    }
}
