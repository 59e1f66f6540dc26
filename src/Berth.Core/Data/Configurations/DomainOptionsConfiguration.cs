using Berth.Core.Domains;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Berth.Core.Data.Configurations;

internal sealed class DomainOptionsConfiguration : IEntityTypeConfiguration<DomainOptions>
{
    public void Configure(EntityTypeBuilder<DomainOptions> builder)
    {
        builder.ToTable("Hosting_DomainOptions");
        builder.HasKey(o => o.DomainId);
        builder.Property(o => o.DomainId).HasColumnName("DomainID").ValueGeneratedNever();
        builder.Property(o => o.OriginPulls).HasColumnName("OriginPulls").IsRequired().HasDefaultValue(false);
        builder.Property(o => o.TargetPort).HasColumnName("TargetPort").IsRequired().HasDefaultValue(DomainOptions.DefaultTargetPort);
        builder.HasOne<DomainName>().WithOne().HasForeignKey<DomainOptions>(o => o.DomainId).OnDelete(DeleteBehavior.Cascade);
    }
}
